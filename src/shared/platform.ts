/** The operating systems the agent runs on, by Node's `process.platform` names. */
export type Platform = 'win32' | 'darwin' | 'linux';
export const PLATFORMS: readonly Platform[] = ['win32', 'darwin', 'linux'];
