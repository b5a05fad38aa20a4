// The point-of-service app's entry point (built by Vite into dist/web; see web/vite.config.ts).
// The service worker keeps /pos and every asset (the ZXing wasm included), so that after one
// visit the app loads and works with no network.
import { render } from 'preact';
import '../console/console.css';
import './pos.css';
import { PosApp } from './app';

const offlineReady: Promise<boolean> =
  'serviceWorker' in navigator
    ? navigator.serviceWorker
        .register('/sw.js', { scope: '/' })
        .then(() => navigator.serviceWorker.ready)
        .then(() => true)
        .catch(() => false)
    : Promise.resolve(false);

render(<PosApp offlineReady={offlineReady} />, document.getElementById('app')!);
