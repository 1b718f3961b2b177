// Where a fleet resource lives: its workspace, in production or in the sandbox. Every store
// query filters on both, so an id from another workspace (or the other side) is simply not found.
export interface Space {
  workspace: string;
  sandbox: boolean;
}

export const sandboxFlag = (space: Space): number => (space.sandbox ? 1 : 0);
