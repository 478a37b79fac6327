# session: the port session (policy, port map, trace) over the backends, its configuration
# from the environment, and the raw-access grant file of Windows processes.
core_sources += \
	session/portmap.c session/portmap.h session/session.c session/session.h \
	session/trace.c session/trace.h session/env.c session/env.h \
	session/run_state.c session/run_state.h \
	session/grants.c session/grants.h session/grants_file.h
