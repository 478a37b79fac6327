# man: see the top Makefile.am
