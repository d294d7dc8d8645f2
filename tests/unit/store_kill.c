/* The datastore killed at random instants while it commits.
 *
 * A child process commits generation after generation (each a set into
 * transaction "default" then a commit, each changing every one of
 * KEYS keys, the file alternately longer and shorter); before each
 * generation it tells the parent its number through a pipe. The parent
 * SIGKILLs it at a random instant, reopens the datastore and checks that
 * it holds exactly one of the states the child could have left: the old
 * live tree, the old one with the new generation pending, or the new
 * one, and that no temporary is left behind after the open.
 *
 *   store_kill FOLDER     (a work folder is made inside FOLDER)
 *   BULWARK_KILL_ROUNDS   kills (default 300)
 *   BULWARK_KILL_SEED     the seed of the random instants (printed)
 *
 * Prints TAP. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api/store.h"

#define KEYS 400
#define TX "default"

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* xorshift64*: enough to spread the kills, and replayable. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

/* The settings generation gen sets: every key changes, and odd
 * generations are longer, so a write in place leaves a mix or a tail. */
static json_t *generation(uint32_t gen)
{
	json_t *sysctl = json_object(), *tree = json_object();
	char name[32], value[128];

	for (unsigned i = 0; i < KEYS; i++) {
		snprintf(name, sizeof(name), "k%03u", i);
		snprintf(value, sizeof(value), "gen-%" PRIu32 "-key-%u%s", gen, i,
			 gen % 2 ? "-and-a-longer-tail-on-odd-generations" : "");
		json_object_set_new(sysctl, name, json_string(value));
	}
	json_object_set_new(tree, "gen", json_integer(gen));
	json_object_set_new(tree, "kernel", json_pack("{s:o}", "sysctl", sysctl));
	return tree;
}

static json_t *live_of(uint32_t gen)
{
	return gen == 0 ? json_object() : generation(gen);
}

static uint32_t gen_of(const json_t *live)
{
	return (uint32_t)json_integer_value(json_object_get(live, "gen"));
}

static void announce(int fd, uint32_t gen)
{
	if (write(fd, &gen, sizeof(gen)) != (ssize_t)sizeof(gen))
		_exit(4);
}

/* Commits forever, from the generation after the live one. */
static void child(const char *dir, int fd)
{
	struct store *store;
	struct bw_err err;
	uint32_t gen;

	if (store_open(dir, &store, &err) < 0) {
		fprintf(stderr, "child: %s\n", err.msg);
		_exit(3);
	}
	gen = gen_of(store_live(store));
	for (;;) {
		json_t *patch = generation(++gen), *changed = NULL;

		announce(fd, gen);
		if (store_set(store, TX, patch, &err) < 0 ||
		    store_commit(store, TX, &changed, &err) < 0) {
			fprintf(stderr, "child: %s\n", err.msg);
			_exit(3);
		}
		if (json_array_size(changed) != KEYS + 1) {
			fprintf(stderr, "child: %zu keys changed, not %d\n",
				json_array_size(changed), KEYS + 1);
			_exit(3);
		}
		json_decref(patch);
		json_decref(changed);
	}
}

static bool read_gen(int fd, uint32_t *gen)
{
	size_t got = 0;

	while (got < sizeof(*gen)) {
		ssize_t n = read(fd, (char *)gen + got, sizeof(*gen) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int count_temporaries(const char *dir, bool *is_unexpected)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	*is_unexpected = false;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, "datastore.json") || !strcmp(e->d_name, "lock"))
			continue;
		if (strstr(e->d_name, ".tmp"))
			n++;
		else
			*is_unexpected = true;
	}
	closedir(d);
	return n;
}

struct tally {
	int rounds, old, old_with_pending, new, temporaries;
	int64_t period_us;
};

struct round {
	uint32_t before;   /* the live generation when the child started */
	uint32_t announced; /* the last generation it began; before when none */
};

/* Starts a child, kills it at a random instant, and says what it began. */
static int run_round(const char *dir, const struct tally *t, uint32_t before, struct round *r,
		     bool calibrate, int64_t *period_us)
{
	int fds[2], status;
	uint32_t gen = before, target;
	int64_t started = 0;
	pid_t pid;

	if (pipe(fds) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(fds[0]);
		child(dir, fds[1]);
	}
	close(fds[1]);
	/* A few generations in, then anywhere within the next one. */
	target = before + (calibrate ? 41 : 1 + (uint32_t)(rng_next() % 3));
	while (gen < target) {
		if (!read_gen(fds[0], &gen))
			break;
		if (calibrate && gen == before + 1)
			started = now_us();
	}
	if (gen >= target) {
		if (calibrate) {
			*period_us = (now_us() - started) / 40;
		} else {
			/* Not a synchronisation: a random instant to kill at. */
			int64_t delay = (int64_t)(rng_next() % (uint64_t)(t->period_us + 1));
			struct timespec ts = {delay / 1000000, (delay % 1000000) * 1000};

			nanosleep(&ts, NULL);
		}
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	while (read_gen(fds[0], &gen))
		;
	close(fds[0]);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		printf("# the child exited with status %d before it was killed\n", status);
		return -ECHILD;
	}
	r->before = before;
	r->announced = gen;
	return 0;
}

/* Reopens the store: it must hold one of the states the child could
 * have left, and no temporary may remain. Sets *live_gen. */
static bool check_round(const char *dir, const struct round *r, struct tally *t,
			uint32_t *live_gen)
{
	uint32_t a = r->announced;
	uint32_t old_gen = a > r->before ? a - 1 : r->before;
	struct store *store;
	struct bw_err err;
	json_t *old_live = live_of(old_gen), *new_live = live_of(a), *new_patch = generation(a);
	const json_t *live, *pending;
	json_t *names;
	bool ok = true, is_unexpected;
	int temporaries = count_temporaries(dir, &is_unexpected);

	if (temporaries > 0)
		t->temporaries++;
	if (store_open(dir, &store, &err) < 0) {
		char line[1024];

		bw_err_format(&err, line, sizeof(line));
		printf("# round %d: the datastore does not open: %s\n", t->rounds, line);
		ok = false;
		goto out;
	}
	live = store_live(store);
	pending = store_pending(store, TX);
	names = store_tx_names(store);
	if (json_array_size(names) > (pending ? 1 : 0)) {
		printf("# round %d: transactions other than %s are pending\n", t->rounds, TX);
		ok = false;
	}
	json_decref(names);
	if (json_equal((json_t *)live, new_live) && !pending && a > r->before) {
		t->new++;
	} else if (json_equal((json_t *)live, old_live) && !pending) {
		t->old++;
	} else if (json_equal((json_t *)live, old_live) && a > r->before && pending &&
		   json_equal((json_t *)pending, new_patch)) {
		t->old_with_pending++;
	} else {
		printf("# round %d: the child began generation %" PRIu32
		       " (it started from %" PRIu32 "), but the datastore holds live generation %" PRIu32
		       "%s, which is neither the old state nor the new one\n",
		       t->rounds, a, r->before, gen_of(live), pending ? " and a pending tree" : "");
		ok = false;
	}
	if (store_journal(store)) {
		printf("# round %d: a journal appeared\n", t->rounds);
		ok = false;
	}
	*live_gen = gen_of(live);
	store_close(store);
	if (count_temporaries(dir, &is_unexpected) != 0 || is_unexpected) {
		printf("# round %d: files other than datastore.json and lock remain after an open\n",
		       t->rounds);
		ok = false;
	}
out:
	json_decref(old_live);
	json_decref(new_live);
	json_decref(new_patch);
	return ok;
}

static void remove_folder(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const char *rounds_env = getenv("BULWARK_KILL_ROUNDS");
	const char *seed_env = getenv("BULWARK_KILL_SEED");
	int rounds = rounds_env ? atoi(rounds_env) : 300;
	uint64_t seed;
	char dir[PATH_MAX];
	struct tally t = {0};
	struct round r;
	uint32_t live_gen = 0;
	bool ok = true;

	if (argc != 2 || rounds <= 0) {
		fprintf(stderr, "usage: store_kill FOLDER (BULWARK_KILL_ROUNDS > 0)\n");
		return 2;
	}
	seed = seed_env ? strtoull(seed_env, NULL, 0) :
			  (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	rng_state = seed ? seed : 1;
	snprintf(dir, sizeof(dir), "%s/store-kill.XXXXXX", argv[1]);
	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP cannot make a folder in %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("1..1\n# seed %" PRIu64 " (BULWARK_KILL_SEED=%" PRIu64 " replays the instants)\n",
	       seed, seed);
	fflush(stdout);
	/* How long a generation takes here, to spread the kills over one. */
	if (run_round(dir, &t, 0, &r, true, &t.period_us) < 0 ||
	    !check_round(dir, &r, &t, &live_gen)) {
		printf("not ok 1 - the calibration round failed\n");
		return 1;
	}
	t = (struct tally){.period_us = t.period_us};
	printf("# one generation (a set and a commit of %d keys) takes %" PRId64 " us\n", KEYS,
	       t.period_us);
	for (t.rounds = 1; t.rounds <= rounds && ok; t.rounds++) {
		if (run_round(dir, &t, live_gen, &r, false, NULL) < 0) {
			ok = false;
			break;
		}
		ok = check_round(dir, &r, &t, &live_gen);
		fflush(stdout);
	}
	t.rounds--;
	printf("# %d kills: %d left the old state, %d the old state with the new one pending, "
	       "%d the new state; %d left a temporary behind (killed mid-write)\n",
	       t.rounds, t.old, t.old_with_pending, t.new, t.temporaries);
	printf("%s 1 - the datastore killed %d times holds the old state or the new one\n",
	       ok ? "ok" : "not ok", t.rounds);
	if (ok)
		remove_folder(dir);
	else
		printf("# the datastore is left in %s\n", dir);
	return ok ? 0 : 1;
}
