// Prettier for XML, as OCA's addons repo template configures it for 18.0. A .cjs
// file (not .yml): require.resolve finds the plugin in pre-commit's node env
// (through its NODE_PATH), where prettier 3's own lookup from the cwd does not.
/** @type {import('prettier').Config} */
module.exports = {
    plugins: [require.resolve("@prettier/plugin-xml")],
    bracketSpacing: false,
    printWidth: 88,
    proseWrap: "always",
    semi: true,
    tabWidth: 4,
    trailingComma: "es5",
    xmlWhitespaceSensitivity: "preserve",
};
