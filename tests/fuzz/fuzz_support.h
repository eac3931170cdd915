/* What the fuzz targets share: the vocabulary of the query targets and the
 * access form of the form's target, each loaded once from the source tree
 * and kept for the process, since inputs run by the million. Plain C with
 * no test framework, so that it builds under libFuzzer as well as in
 * the replay programs; it must not hold any property a target checks. */
#ifndef ECII_TESTS_FUZZ_FUZZ_SUPPORT_H
#define ECII_TESTS_FUZZ_FUZZ_SUPPORT_H

struct vocab;

/* data/criteria.json under $ECII_SRCDIR, or under the configured source
 * directory when that is unset or empty. Returns it borrowed (it lives
 * until exit); on failure prints "target: reason" and aborts. */
const struct vocab *fuzz_vocab(const char *target);

struct access_form;

/* data/access-form.json, loaded the same way and kept; aborts likewise. */
const struct access_form *fuzz_access_form(const char *target);

#endif
