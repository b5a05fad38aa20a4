// The cardholder portal's entry point (built by Vite into dist/web with the console; see
// web/vite.config.ts). Its own small bundle: it imports none of the console.
import { render } from 'preact';
import './me.css';
import { MeApp } from './app';

render(<MeApp />, document.getElementById('app')!);
