/* Capacity partitioning and instance balancing (src/cluster/partition.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "partition.h"

static void test_select(void **state) {
    (void)state;
    const uint32_t cap[] = {10, 5, 8};
    assert_int_equal(partition_select(cap, 3, 12), 2);
    assert_int_equal(partition_select(cap, 3, 10), 1);
    assert_int_equal(partition_select(cap, 3, 23), 3);
    assert_int_equal(partition_select(cap, 3, 24), 0); /* not enough capacity */
    assert_int_equal(partition_select(cap, 3, 0), 3);  /* all */
    assert_int_equal(partition_select(cap, 0, 0), 0);
}

static void test_deal_two_to_one(void **state) {
    (void)state;
    const uint32_t cap[] = {10, 5};
    uint64_t first[2], count[2];
    assert_int_equal(partition_deal(cap, 2, 15, first, count), 0);
    assert_int_equal(count[0], 10);
    assert_int_equal(count[1], 5);
    assert_int_equal(first[0], 0);
    assert_int_equal(first[1], 10);
    assert_int_equal(partition_deal(cap, 2, 3, first, count), 0);
    assert_int_equal(count[0], 2);
    assert_int_equal(count[1], 1);
    assert_int_equal(partition_deal(cap, 2, 30, first, count), 0);
    assert_int_equal(count[0], 20);
    assert_int_equal(count[1], 10);
    /* Remainders: 7 units over {1,1,1}: 3,2,2 (ties to the earlier worker). */
    const uint32_t eq[] = {1, 1, 1};
    uint64_t f3[3], c3[3];
    assert_int_equal(partition_deal(eq, 3, 7, f3, c3), 0);
    assert_int_equal(c3[0], 3);
    assert_int_equal(c3[1], 2);
    assert_int_equal(c3[2], 2);
    assert_int_equal(f3[2], 5);
}

static void test_deal_rejects(void **state) {
    (void)state;
    const uint32_t cap[] = {10, 0};
    uint64_t first[2], count[2];
    assert_int_equal(partition_deal(cap, 2, 5, first, count), -1);
    assert_int_equal(partition_deal(cap, 0, 5, first, count), -1);
    assert_int_equal(partition_deal(cap, 1, 0, first, count), -1);
}

/* Property: for random capacities and unit counts, the counts add up, ranges are contiguous,
 * and each count is its exact quota rounded down or up. */
static void test_deal_random(void **state) {
    (void)state;
    srand(12345);
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = 1 + (size_t)(rand() % 40);
        uint32_t cap[40];
        uint64_t first[40], count[40], total = 0;
        for (size_t i = 0; i < n; i++) total += cap[i] = 1 + (uint32_t)(rand() % 1000);
        uint64_t units = 1 + (uint64_t)(rand() % 5000);
        assert_int_equal(partition_deal(cap, n, units, first, count), 0);
        uint64_t sum = 0, next = 0;
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(first[i], next);
            next += count[i];
            sum += count[i];
            uint64_t lo = (units * cap[i]) / total;
            assert_true(count[i] == lo || count[i] == lo + 1);
        }
        assert_int_equal(sum, units);
    }
}

static void test_balance(void **state) {
    (void)state;
    /* LPT: weights 7,5,4,3,1 over 2 units -> unit0: 7,3 (10); unit1: 5,4,1 (10). */
    const uint64_t w[] = {3, 7, 1, 5, 4};
    uint32_t unit[5];
    uint64_t load[2];
    size_t scratch[10];
    assert_int_equal(partition_balance(w, 5, 2, unit, load, scratch), 0);
    assert_int_equal(unit[1], 0); /* 7 */
    assert_int_equal(unit[3], 1); /* 5 */
    assert_int_equal(unit[4], 1); /* 4 */
    assert_int_equal(unit[0], 0); /* 3 */
    assert_int_equal(unit[2], 1); /* 1 */
    assert_int_equal(load[0], 10);
    assert_int_equal(load[1], 10);
    /* Equal weights keep instance order: round robin. */
    const uint64_t e[] = {2, 2, 2, 2, 2, 2};
    uint32_t ue[6];
    uint64_t le[3];
    size_t se[12];
    assert_int_equal(partition_balance(e, 6, 3, ue, le, se), 0);
    for (int i = 0; i < 6; i++) assert_int_equal(ue[i], i % 3);
    assert_int_equal(partition_balance(e, 6, 0, ue, le, se), -1);
    assert_int_equal(partition_balance(e, 0, 3, ue, le, se), 0);
}

/* Property: LPT never leaves a unit heavier than the lightest plus the largest weight. */
static void test_balance_random(void **state) {
    (void)state;
    srand(777);
    for (int iter = 0; iter < 500; iter++) {
        size_t n = (size_t)(rand() % 200);
        uint64_t units = 1 + (uint64_t)(rand() % 16);
        uint64_t w[200], load[16], maxw = 0;
        uint32_t unit[200];
        size_t scratch[400];
        for (size_t i = 0; i < n; i++) {
            w[i] = 1 + (uint64_t)(rand() % 100000);
            if (w[i] > maxw) maxw = w[i];
        }
        assert_int_equal(partition_balance(w, n, units, unit, load, scratch), 0);
        uint64_t lo = UINT64_MAX, hi = 0, sum = 0, check[16] = {0};
        for (size_t i = 0; i < n; i++) {
            assert_true(unit[i] < units);
            check[unit[i]] += w[i];
            sum += w[i];
        }
        for (uint64_t u = 0; u < units; u++) {
            assert_int_equal(check[u], load[u]);
            if (load[u] < lo) lo = load[u];
            if (load[u] > hi) hi = load[u];
        }
        (void)sum;
        assert_true(hi - lo <= maxw);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select),         cmocka_unit_test(test_deal_two_to_one),
        cmocka_unit_test(test_deal_rejects),   cmocka_unit_test(test_deal_random),
        cmocka_unit_test(test_balance),        cmocka_unit_test(test_balance_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
