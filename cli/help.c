/* Help texts, one per command, kept next to each other so --help and the
 * man page (docs/askcred.1.scd) are easy to compare. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

#define REQUEST_HELP                                                           \
	"  --purpose LABEL       job label for audit and per-job tokens\n"     \
	"  --min-validity DUR    the token must stay valid this long\n"        \
	"  --lifetime DUR        wanted lifetime of a newly minted token\n"    \
	"  --no-cache            do not read the cache\n"                      \
	"  --force-refresh       obtain a new token even if one is cached\n"

static const struct {
	const char *name;
	const char *text;
} helps[] = {
	{"get",
	 "usage: askcred [GLOBAL OPTIONS] get [OPTIONS]\n"
	 "Print a credential on stdout.\n\n"
	 "  --format env|shell|json\n"
	 "                        env (default): KEY=value lines for systemd\n"
	 "                        EnvironmentFile= or docker --env-file;\n"
	 "                        shell: export lines for eval in sh;\n"
	 "                        json: one object\n"
	 "  --json                the same as --format json\n" REQUEST_HELP},
	{"env", "usage: askcred [GLOBAL OPTIONS] env [OPTIONS]\n"
		"Same as 'get --format shell', for eval \"$(askcred "
		"env)\".\n\n"
		"  --json                print one JSON object "
		"instead\n" REQUEST_HELP},
	{"exec",
	 "usage: askcred [GLOBAL OPTIONS] exec [OPTIONS] -- COMMAND [ARGS...]\n"
	 "Run COMMAND with a token of its own: ASKUI_WORKSPACE_ID and\n"
	 "ASKUI_TOKEN in its environment (never in its arguments). The token\n"
	 "is fetched anew (no cache), so a mint source mints one for the job,\n"
	 "and a minted token is revoked when COMMAND ends, however it ends.\n"
	 "Signals are forwarded; the exit status is COMMAND's: 128+N if\n"
	 "signal N killed it, 126 if it could not be run, 127 if not found.\n\n"
	 "  --purpose LABEL       job label, part of the minted token's name\n"
	 "  --lifetime DUR        lifetime of the job's token (policy bounds "
	 "it)\n"
	 "  --min-validity DUR    the token must stay valid this long\n"
	 "  --runner-config FILE  write FILE (AskUI runner config, YAML or\n"
	 "                        JSON) with queue.credentials.access_token\n"
	 "                        set to a private file; each {} argument of\n"
	 "                        COMMAND becomes its path; removed after\n"
	 "  --renew               renew the token halfway through its life\n"
	 "                        and hand it over (--on-renew); for runners\n"
	 "  --on-renew MODE       restart (default), signal:SIG (rewrite the\n"
	 "                        --runner-config copy, send SIG) or none\n"
	 "  --stop-signal SIG     restart: stop with SIG first (default TERM)\n"
	 "  --stop-timeout DUR    restart: SIGKILL after DUR (default 10s)\n"
	 "  --overlap DUR         signal:SIG: the old token lives DUR more\n"
	 "                        (default 1m)\n"
	 "  --json                after the command's output, one JSON line:\n"
	 "                        its exit status and the tokens revoked\n"},
	{"validate",
	 "usage: askcred [GLOBAL OPTIONS] validate [OPTIONS]\n"
	 "Fetch the credential and check it through the stack's validate\n"
	 "lines; exit 0 when it is valid.\n\n"
	 "  --purpose LABEL       the credential of this job label\n"
	 "  --min-validity DUR    it must stay valid this long\n"
	 "  --no-cache            do not read the cache\n"
	 "  --json                print one JSON object\n"},
	{"refresh",
	 "usage: askcred [GLOBAL OPTIONS] refresh [OPTIONS]\n"
	 "Obtain a new credential now and print its fingerprint and expiry.\n\n"
	 "  --purpose LABEL       job label for audit and per-job tokens\n"
	 "  --lifetime DUR        wanted lifetime of a newly minted token\n"
	 "  --json                print one JSON object\n"},
	{"revoke",
	 "usage: askcred [GLOBAL OPTIONS] revoke [OPTIONS]\n"
	 "Revoke the current credential at its issuer and forget it.\n\n"
	 "  --purpose LABEL       the credential of this job label\n"
	 "  --json                print one JSON object\n"},
	{"status",
	 "usage: askcred [GLOBAL OPTIONS] status [--json]\n"
	 "List what the stack's modules hold: name, workspace, token id,\n"
	 "expiry, remaining time, flags, source, policy serial. Never a "
	 "token.\n\n"
	 "  --json                print a JSON array\n"},
	{"policy",
	 "usage: askcred [GLOBAL OPTIONS] policy check FILE [--key PEM]...\n"
	 "                 [--sig SIG] [--labels L1,L2] [--json]\n"
	 "       askcred [GLOBAL OPTIONS] policy show [--json]\n"
	 "       askcred [GLOBAL OPTIONS] policy explain [--purpose L]\n"
	 "                 [--min-validity DUR] [--json]\n"
	 "check: lint and verify a policy document as a host loads it: the\n"
	 "schema, every rule, its max_age, and with --key its detached\n"
	 "Ed25519 signature (SIG, default FILE.sig). Prints the serial, when\n"
	 "it was issued and the rules in force for the labels. Exit 0 when it\n"
	 "is good, 65 when it is malformed, 66 when a file is missing, 67\n"
	 "when the signature or its age refuses it. No serial is recorded.\n"
	 "show: the policy in force in the stack, as its modules report it.\n"
	 "explain: fetch the current credential and say why the policy\n"
	 "allows it or not (exit 0 allowed, 67 denied).\n\n"
	 "  --key PEM             Ed25519 public key; repeat for several\n"
	 "  --sig SIG             the signature file (needs --key)\n"
	 "  --labels L1,L2        show the rules for hosts with these "
	 "labels\n"
	 "  --json                print JSON (check, show, explain)\n"},
	{"gc",
	 "usage: askcred [GLOBAL OPTIONS] gc [--json]\n"
	 "Delete tokens askcred minted that expired or whose job died, and\n"
	 "retry revocations that are pending; remove runner config copies\n"
	 "left by an askcred that was killed; list what was done. Tokens\n"
	 "askcred did not mint are never touched.\n\n"
	 "  --json                print a JSON array\n"},
	{"tokens",
	 "usage: askcred [GLOBAL OPTIONS] tokens list [--json]\n"
	 "       askcred [GLOBAL OPTIONS] tokens revoke (--host H | "
	 "--older-than DUR |\n"
	 "                 --orphaned | --id ID) [--dry-run] [--json]\n"
	 "       askcred [GLOBAL OPTIONS] tokens enforce [--dry-run] "
	 "[--json]\n"
	 "Every token of the workspace, read with the parent credential:\n"
	 "list shows them (askcred's names decoded into host, entry, job\n"
	 "and purpose; others marked foreign; never-expiring ones flagged).\n"
	 "revoke deletes the tokens askcred minted for host H, created more\n"
	 "than DUR ago, or orphaned (expired, or minted for a job on this\n"
	 "host whose process is gone), or the one token ID. enforce deletes\n"
	 "the tokens the policy refuses (deny list, revocation epoch, no\n"
	 "expiry, longer than max_lifetime). The parent credential is never\n"
	 "deleted. One row per token; exit 0 only when every picked token\n"
	 "is gone.\n\n"
	 "  --dry-run             list what would be deleted; delete nothing\n"
	 "  --json                print a JSON array\n"},
	{"setup",
	 "usage: askcred [GLOBAL OPTIONS] setup --workspace ID [OPTIONS] "
	 "<TOKEN_FILE\n"
	 "Read the parent token from the first line of stdin (never from an\n"
	 "argument), check it with AskUI (a lookup in the workspace), then\n"
	 "write parent.json (mode 0600), askcred.conf and stacks/default in\n"
	 "$XDG_CONFIG_HOME/askcred (~/.config/askcred), or with --system in\n"
	 "the host's directory. A file that already holds the same is\n"
	 "left alone; one that differs is replaced only with --force.\n\n"
	 "  --workspace ID        the workspace id (UUID)\n"
	 "  --api-url URL         AskUI Workspaces API base (https://)\n"
	 "  --ca-file PEM         trust only these CAs for it\n"
	 "  --module NAME|PATH    provider module (default askcred_askui)\n"
	 "  --system              write the host-wide files "
	 "(" ASKCRED_SYSCONF_DIR ")\n"
	 "  --config-dir DIR      write there instead\n"
	 "  --force               replace files that differ\n"
	 "  --json                print one JSON object: the files and what\n"
	 "                        was done with each\n"},
};

static const char global_help[] =
	"usage: askcred [GLOBAL OPTIONS] COMMAND [ARGS]\n"
	"Fetch AskUI credentials through a stack of provider modules.\n\n"
	"Commands:\n"
	"  get        print a credential (env, shell or json format)\n"
	"  env        print export lines: eval \"$(askcred env)\"\n"
	"  exec       run a command with the credential in its environment\n"
	"  validate   check the credential; exit 0 when valid\n"
	"  refresh    obtain a new credential now\n"
	"  revoke     revoke the current credential\n"
	"  status     list cached and pending credentials\n"
	"  gc         delete expired and orphaned tokens askcred minted\n"
	"  tokens     list, revoke or enforce the workspace's tokens\n"
	"  policy     check a policy document, show or explain the policy\n"
	"  setup      check a parent token and write the default stack\n"
	"  help       show help for a command\n\n"
	"Global options:\n"
	"  --stack NAME          stack to use (default: $ASKCRED_STACK or\n"
	"                        \"default\"), looked up in the stack "
	"directory\n"
	"  --stack-file PATH     use this stack file instead\n"
	"  --stack-dir DIR       stack directory (testing, non-standard "
	"installs)\n"
	"  --module-dir DIR      module directory (testing, non-standard "
	"installs)\n"
	"  --labels L1,L2        runner labels handed to the providers\n"
	"  -q, --quiet           print errors only\n"
	"  -v, --verbose         more log output (repeat for debug)\n"
	"  -h, --help            show this help\n"
	"  -V, --version         show the version\n\n"
	"Durations: 90s, 30m, 1h30m, 2d or plain seconds.\n\n"
	"Exit status:\n"
	"  0   success\n"
	"  64  usage error\n"
	"  65  configuration error (stack, module, file permissions)\n"
	"  66  no credential found\n"
	"  67  denied by token policy\n"
	"  68  credential invalid or expired\n"
	"  69  unavailable, try again later\n"
	"  70  internal error, out of memory or cache error\n"
	"  exec exits with the command's own status once it has started.\n\n"
	"Run 'askcred COMMAND --help' for a command's options; see "
	"askcred(1).\n";

int print_help_on(FILE *out, const char *cmd)
{
	for (size_t i = 0; cmd != NULL && i < sizeof(helps) / sizeof(helps[0]);
	     i++) {
		if (strcmp(cmd, helps[i].name) == 0) {
			fputs(helps[i].text, out);
			return 0;
		}
	}
	if (cmd != NULL)
		return -1;
	fputs(global_help, out);
	return 0;
}

void print_help(const char *cmd)
{
	if (print_help_on(stdout, cmd) != 0)
		print_help_on(stdout, NULL);
}
