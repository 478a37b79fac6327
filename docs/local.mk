# docs: see the top Makefile.am
