const path = require('path');
const { merge } = require('webpack-merge');
const Build = require('@jupyterlab/builder').Build;
const baseConfig = require('@jupyterlab/builder/lib/webpack.config.base');
const pkg = require('./package.json');

const buildDir = path.resolve(__dirname, 'build');
const packageNames = Object.keys(pkg.dependencies).filter(n => n.endsWith('-extension'));
const extraConfig = Build.ensureAssets({
  packageNames,
  output: buildDir,
  schemaOutput: buildDir,
  themeOutput: buildDir
});

module.exports = [
  merge(baseConfig, {
    mode: process.env.NODE_ENV === 'development' ? 'development' : 'production',
    devtool: false,
    entry: { main: ['./index.js'] },
    output: {
      path: path.join(buildDir, 'static'),
      publicPath: 'auto',
      filename: '[name].js',
      chunkFilename: '[name].[contenthash].js'
    },
    performance: { hints: false }
  })
].concat(extraConfig);
