// The staff console's entry point (built by Vite into dist/web; see web/vite.config.ts).
import { render } from 'preact';
import { App } from './app';
import './console.css';

render(<App />, document.getElementById('app')!);

// Keep the console's shell for offline-first loads (web/sw-template.js); API calls are never
// cached. A failure here only means no kept copy.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
}
