# backends: see the top Makefile.am
