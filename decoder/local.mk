# decoder: see the top Makefile.am
