/** The two pages: home (`/`) and a board (`/b/:id`). History API, no library needed for two routes. */
export type Route = { page: 'home' } | { page: 'board'; id: string };

function parse(path: string): Route {
  const match = /^\/b\/([^/]+)\/?$/.exec(path);
  return match ? { page: 'board', id: decodeURIComponent(match[1]!) } : { page: 'home' };
}

class Router {
  route = $state<Route>(parse(location.pathname));

  constructor() {
    addEventListener('popstate', () => (this.route = parse(location.pathname)));
    // A link pasted into a tab already on that board changes only the fragment (the token):
    // open the board afresh with it.
    addEventListener('hashchange', () => {
      if (this.route.page === 'board' && location.hash.length > 1) location.reload();
    });
  }

  go(path: string): void {
    history.pushState(null, '', path);
    this.route = parse(location.pathname);
  }
}

export const router = new Router();
