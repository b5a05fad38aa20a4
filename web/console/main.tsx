// The staff console's entry point (built by Vite into dist/web; see web/vite.config.ts).
import { render } from 'preact';
import { App } from './app';
import './console.css';

render(<App />, document.getElementById('app')!);
