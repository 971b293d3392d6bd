// The JupyterLab application the browser tests serve: the core extensions, bundled statically.
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
// eslint-disable-next-line no-undef
__webpack_public_path__ = URLExt.join(PageConfig.getOption('fullStaticUrl'), '/');

require('./build/style.js');

const extensionPackages = [
  require('@jupyterlab/application-extension'),
  require('@jupyterlab/apputils-extension'),
  require('@jupyterlab/codemirror-extension'),
  require('@jupyterlab/completer-extension'),
  require('@jupyterlab/console-extension'),
  require('@jupyterlab/docmanager-extension'),
  require('@jupyterlab/filebrowser-extension'),
  require('@jupyterlab/fileeditor-extension'),
  require('@jupyterlab/launcher-extension'),
  require('@jupyterlab/mainmenu-extension'),
  require('@jupyterlab/notebook-extension'),
  require('@jupyterlab/rendermime-extension'),
  require('@jupyterlab/running-extension'),
  require('@jupyterlab/shortcuts-extension'),
  require('@jupyterlab/statusbar-extension'),
  require('@jupyterlab/theme-light-extension'),
  require('@jupyterlab/tooltip-extension'),
  require('@jupyterlab/translation-extension'),
  require('@jupyterlab/ui-components-extension')
];
const mimeExtensionPackages = [
  require('@jupyterlab/javascript-extension'),
  require('@jupyterlab/json-extension')
];

function* activePlugins(extension) {
  const data = extension.default || extension;
  const plugins = Array.isArray(data) ? data : [data];
  for (const p of plugins) {
    if (PageConfig.Extension.isDisabled(p.id)) continue;
    // The announcements plugin fetches news from the Internet, which the tests never reach.
    if (p.id === '@jupyterlab/apputils-extension:announcements') continue;
    yield p;
  }
}

async function main() {
  const App = require('@jupyterlab/application').JupyterLab;
  const mimeExtensions = [];
  for (const m of mimeExtensionPackages) {
    for (const p of activePlugins(m)) mimeExtensions.push(p);
  }
  const register = [];
  for (const m of extensionPackages) {
    for (const p of activePlugins(m)) register.push(p);
  }
  const lab = new App({ mimeExtensions });
  lab.registerPluginModules(register);
  await lab.start({});
  await lab.restored;
  window.jupyterapp = lab;
  console.log('JupyterLab app started, plugins:', lab.listPlugins().length);
}

window.addEventListener('load', main);
