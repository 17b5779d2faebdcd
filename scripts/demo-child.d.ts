import type { DemoSubject } from './seed/run';

export declare const DEMO_SEED: { people: number; seed: number; asOf: string };
export declare function demoChild(subjects: DemoSubject[]): DemoSubject;
export declare function demoHousehold(subjects: DemoSubject[]): DemoSubject | undefined;
