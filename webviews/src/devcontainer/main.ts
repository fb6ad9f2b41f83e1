/** Entry of the dev container wizard bundle (dist/webviews/devcontainer.js); the page holds <mlops-dc-app>. */
import './app/index';
