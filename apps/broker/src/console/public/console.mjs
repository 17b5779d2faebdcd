// The console's only script: progressive enhancement. Every page works without it.
import { initAll } from '/govuk/govuk-frontend.min.js';

initAll();

// Print buttons (the transparency report's print view).
for (const button of document.querySelectorAll('[data-print]')) {
  button.addEventListener('click', () => window.print());
}

// Live answers: a region that names a Server-Sent Events address reloads its content each time an
// agency's part changes, and stops when the query is no longer pending. Without script (or without
// the address) the page keeps its "Refresh answers" link.
for (const region of document.querySelectorAll('[data-live-url]')) {
  const source = new EventSource(region.dataset.liveUrl);
  const refresh = async () => {
    const page = await fetch(window.location.href, { credentials: 'same-origin' });
    const html = new DOMParser().parseFromString(await page.text(), 'text/html');
    const fresh = html.getElementById(region.id);
    if (fresh) region.innerHTML = fresh.innerHTML;
  };
  // `agency`: one agency's part changed; `query`: the query is no longer pending, the last event.
  source.addEventListener('agency', () => void refresh());
  source.addEventListener('query', () => {
    source.close();
    void refresh();
  });
  source.addEventListener('error', () => source.close());
}
