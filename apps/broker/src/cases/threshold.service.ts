import { Inject, Injectable } from '@nestjs/common';
import {
  loadThresholdMatrices,
  type ThresholdMatrix,
  type ThresholdMatrixRegistry,
} from '@mash/thresholds';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';

/**
 * The partnerships' threshold matrices, loaded from files at boot (kept as code, reviewed like code).
 * In dev mode a partnership without its own matrix uses the demo partnership's, so any
 * partnership named in a development token can open cases; in production it is refused.
 */
@Injectable()
export class ThresholdService {
  private readonly registry: ThresholdMatrixRegistry;

  constructor(@Inject(BROKER_CONFIG) private readonly config: BrokerConfig) {
    this.registry = loadThresholdMatrices(config.thresholdsDir);
  }

  matrixFor(partnership: string, at: Date): ThresholdMatrix {
    if (this.config.auth.mode === 'dev' && !this.registry.partnerships().includes(partnership)) {
      return this.registry.inForce('demo', at);
    }
    return this.registry.inForce(partnership, at);
  }
}
