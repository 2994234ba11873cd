/* main.c - the smab command; everything lives in the library. */
#include "smab/engine.h"

int main(int argc, char **argv) { return smab_main(argc, argv); }
