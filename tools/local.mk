# tools: see the top Makefile.am
