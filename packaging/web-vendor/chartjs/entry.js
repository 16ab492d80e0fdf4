// Only what the console's reports draw: bar and line charts on category/linear scales.
import {
  Chart, BarController, LineController, BarElement, LineElement, PointElement,
  CategoryScale, LinearScale, Legend, Tooltip,
} from "chart.js";
Chart.register(BarController, LineController, BarElement, LineElement, PointElement,
  CategoryScale, LinearScale, Legend, Tooltip);
window.Chart = Chart;
