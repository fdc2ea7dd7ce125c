/** For running the agent inside another process (npm start): `startAgent(loadAgentConfig(env))`. */
export { AgentOptions, RunningAgent, startAgent } from './agent';
export { AgentConfig, loadAgentConfig } from './config';
export type { ExecutorLogger as AgentLogger } from '@runstream/executor';
