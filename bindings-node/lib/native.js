'use strict';
// Loads the native addon: see ./platform.js for where it is looked for.

module.exports = require(require('./platform').addonPath());
