/* Reference for bench/enter.mjs: a raw setns there-and-back pair in C.
 * usage: raw-setns NSFILE ITERATIONS ROUNDS -> median ns per pair */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static int compare(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  int target = open(argv[1], O_RDONLY | O_CLOEXEC);
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (target < 0 || home < 0) { perror("open"); return 1; }
  long iterations = atol(argv[2]);
  int rounds = atoi(argv[3]);
  double* per_pair = calloc(rounds, sizeof(double));
  for (int r = 0; r < rounds; r++) {
    double start = now_ns();
    for (long i = 0; i < iterations; i++) {
      if (setns(target, CLONE_NEWNET) != 0 || setns(home, CLONE_NEWNET) != 0) {
        perror("setns");
        return 1;
      }
    }
    per_pair[r] = (now_ns() - start) / iterations;
  }
  qsort(per_pair, rounds, sizeof(double), compare);
  printf("%.1f\n", per_pair[rounds / 2]);
  return 0;
}
