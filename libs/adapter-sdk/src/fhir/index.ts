export * from './fhir-resources';
export * from './fhir-mapping';
export * from './fhir-driver';
export * from './fhir-connector';
