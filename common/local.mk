# common: what every layer shares: status codes, formatting without stdio, the number and
# device-spec parsers, and the port set with the one parser of port lists.
core_sources += common/status.c \
	common/fmt.c common/fmt.h common/parse.c common/parse.h common/portset.c common/portset.h \
	common/userfile.c common/userfile.h
