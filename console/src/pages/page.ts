/** What every page gets, and what it gives back. */
import type { Api } from '../api.js';
import type { Route } from '../router.js';

export interface PageContext {
  api: Api;
  route: Route;
  /** An admin may change things; a viewer only looks (the API enforces it too). */
  admin: boolean;
  /** Draws the current route again (after a change). */
  refresh(): void;
}

export interface RenderedPage {
  title: string;
  content: Node[];
}

export type Page = (context: PageContext) => Promise<RenderedPage>;
