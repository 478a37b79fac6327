# docs: see the top Makefile.am
EXTRA_DIST += docs/usage.md docs/performance.md
EXTRA_DIST += docs/backends.md docs/devices.md
EXTRA_DIST += docs/architecture.md docs/decoder.md
EXTRA_DIST += docs/protocol.md docs/patching.md
