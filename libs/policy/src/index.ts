export * from './vocabulary';
export * from './gateways';
export * from './agreement';
export * from './errors';
export * from './parse';
export { canonicalJson } from '@mash/contracts';
export * from './hash';
export * from './decision';
export {
  PolicyIndex,
  decide,
  decideContribution,
  compileAgreement,
  type CompiledAgreement,
} from './engine';
export * from './minimise';
export * from './explain';
