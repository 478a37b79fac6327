# man: the manual pages.
dist_man_MANS += man/iotrap.1 man/libiotrap.3 man/iotrap-devices.7
dist_man_MANS += man/iotrapd.8 man/iotrap.conf.5
