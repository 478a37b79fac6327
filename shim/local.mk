# shim: see the top Makefile.am
