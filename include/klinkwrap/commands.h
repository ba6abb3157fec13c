/* Entry points, one per subcommand (src/cmd_*.c); main.c dispatches. Each
 * takes the subcommand's argv (argv[0] is the subcommand's name) and
 * returns klinkwrap's exit status. */
#ifndef KLINKWRAP_COMMANDS_H
#define KLINKWRAP_COMMANDS_H

/* klinkwrap [OPTIONS] LINKER ARGS...  (argv[0] is "klinkwrap") */
int cmd_wrap(int argc, char *argv[]);
/* LINKER-NAME ARGS... through a symlink named like the linker. */
int cmd_masquerade(int argc, char *argv[]);

#endif
