# common: what every layer shares: status codes, formatting without stdio, the number and
# device-spec parsers, the port set with the one parser of port lists, files an option
# names, the private directory of a run's files, and the size check of the public structs a
# caller fills in.
core_sources += common/status.c common/structsize.c common/structsize.h \
	common/fmt.c common/fmt.h common/parse.c common/parse.h common/portset.c common/portset.h \
	common/userfile.c common/userfile.h common/rundir.c common/rundir.h
