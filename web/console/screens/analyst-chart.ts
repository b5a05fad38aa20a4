// uPlot and its stylesheet, in one chunk the statistics screen loads only when it draws a chart
// (a dynamic import), so neither is part of the first screen's JavaScript.
import 'uplot/dist/uPlot.min.css';

export { default as uPlot } from 'uplot';
