/* Entry points, one per subcommand (src/cmd_*.c); main.c dispatches. Each
 * takes the subcommand's argv (argv[0] is the subcommand's name) and
 * returns klinkwrap's exit status. */
#ifndef KLINKWRAP_COMMANDS_H
#define KLINKWRAP_COMMANDS_H

/* klinkwrap [OPTIONS] LINKER ARGS...  (argv[0] is "klinkwrap") */
int cmd_wrap(int argc, char *argv[]);
/* LINKER-NAME ARGS... through a symlink named like the linker. */
int cmd_masquerade(int argc, char *argv[]);

/* klinkwrap symhash [--format=text|json] FILE... */
int cmd_symhash(int argc, char *argv[]);
/* klinkwrap syms [--sysmap[=RULES]] [--format=text|json] FILE */
int cmd_syms(int argc, char *argv[]);
/* klinkwrap symdiff [--format=text|json] A B */
int cmd_symdiff(int argc, char *argv[]);

/* klinkwrap converge [WRAPPER-OPTIONS] [--max-passes=N] [--pad=FILE]
 * [--sysmap[=RULES]] [--format=text|json] [--quiet] --regen=CMD -- LINKER ARGS... */
int cmd_converge(int argc, char *argv[]);

/* klinkwrap log show [--format=text|json|trace] FILE
 * klinkwrap log diff [--format=text|json] [--root-a=DIR] [--root-b=DIR] A B */
int cmd_log(int argc, char *argv[]);

/* klinkwrap repro --jobs=J1,J2[,...] [--runs=N] [--load=N] [--keep]
 *   [--workdir=DIR] [--format=text|json] -- BUILD-COMMAND */
int cmd_repro(int argc, char *argv[]);

/* klinkwrap jobserver-info [--format=text|json]: what a link would see of
 * make's jobserver, with the free tokens counted (taken and given back). */
int cmd_jobserver_info(int argc, char *argv[]);

#endif
