// How long one cache line takes to go from one CPU to another and back: two threads pinned to
// CPUs 0 and 1 hand a counter back and forth two million times. On a virtual machine the answer
// depends on where the host runs the two vCPUs at the moment, which decides how fast the
// two-thread pipeline runs (docs/performance.md, "What makes a run slow").
//
// Build and run: gcc -O2 -pthread -o line-pingpong Benchmarks/line-pingpong.c && ./line-pingpong
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static _Atomic long flag __attribute__((aligned(64)));
static const long rounds = 2000000;

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *pong(void *unused)
{
    (void)unused;
    pin(1);
    for (long i = 0; i < rounds; i++) {
        while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 1)
            ;
        atomic_store_explicit(&flag, 2 * i + 2, memory_order_release);
    }
    return NULL;
}

int main(void)
{
    pthread_t other;
    struct timespec from, to;
    atomic_store(&flag, 0);
    pthread_create(&other, NULL, pong, NULL);
    pin(0);
    clock_gettime(CLOCK_MONOTONIC, &from);
    for (long i = 0; i < rounds; i++) {
        atomic_store_explicit(&flag, 2 * i + 1, memory_order_release);
        while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 2)
            ;
    }
    clock_gettime(CLOCK_MONOTONIC, &to);
    pthread_join(other, NULL);
    double ns = ((to.tv_sec - from.tv_sec) * 1e9 + (to.tv_nsec - from.tv_nsec)) / rounds;
    printf("%.0f ns round trip\n", ns);
    return 0;
}
