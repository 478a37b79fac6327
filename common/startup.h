/* Code that a preloaded process runs when it starts. */
#ifndef IOTRAP_COMMON_STARTUP_H
#define IOTRAP_COMMON_STARTUP_H

/* Every process of a run loads the preload library, and most never trap, so its start is
 * paid for by all of them (docs/performance.md, "Start-up").  A page of code is mapped at
 * its first use, with the cached pages around it, and unmapped again at exit; code spread
 * over the library's text costs a fault for each stretch it touches.  So the functions the
 * constructor runs go into the section where the compiler puts constructors, which the
 * linker gathers into one place at the head of the text.  Some of them run later too,
 * which costs nothing. */
#define IOTRAP__STARTUP __attribute__((section(".text.startup")))

#endif
