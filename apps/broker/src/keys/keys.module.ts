import { Module } from '@nestjs/common';
import { AgencyDirectory } from './agency-directory';

/** The agencies' published keys. The broker's own keys (`BrokerKeys`) are loaded before boot and given by the core module. */
@Module({
  providers: [AgencyDirectory],
  exports: [AgencyDirectory],
})
export class KeysModule {}
