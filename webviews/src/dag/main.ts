/** Entry of the DAG webview bundle (dist/webviews/dag.js): defines the elements; the page holds <mlops-dag-app>. */
import './app/index';
