/* The synthetic demo federation: from a description (data/demo/federation.json)
 * or a benchmark size, deterministic site stores and a catalogue. The same
 * description, vocabulary and seed give the same rows on every machine: all
 * randomness comes from util/rng.h seeded from the description, never from
 * time or addresses. Codes come from the vocabulary by alias; none is written
 * here. The data is fake and says so (site and items are marked synthetic).
 *
 * Description (JSON object):
 *   seed            integer >= 0
 *   updated         "YYYY-MM-DD", the items' date (optional)
 *   version         the items' version string (optional)
 *   sites[]         {id, name, country}; id is [a-z0-9-], it names the file
 *   collections[]   {id, name, acronym, site, cancer (prostate|breast|lung|
 *                   colorectal), subjects, years [from, to], access (PUBLIC|
 *                   RESTRICTED|NON_PUBLIC), intended_purpose, terms_of_use,
 *                   contact {name, email}, description,
 *                   studies {per_subject (1..20, default 2.5),
 *                            modalities, body_parts, manufacturers:
 *                            {value alias: weight, ...}}}
 */
#ifndef ECII_DEMO_DEMO_GEN_H
#define ECII_DEMO_DEMO_GEN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/vocab.h"

#define DEMO_GEN_MAX_SUBJECTS 1000000000ULL

/* A parsed, checked description. */
struct demo_spec;

/* Called every few thousand subjects with the subjects made so far and the
 * total the run will make. */
typedef void (*demo_progress_fn)(uint64_t done, uint64_t total, void *arg);

/* Checks and takes in a description (doc borrowed, copied). v is borrowed and
 * must outlive the result. Returns new or NULL with a one-line reason. */
struct demo_spec *demo_gen_parse(const struct vocab *v, json_t *doc, char *err, size_t errlen);
/* A benchmark federation: one site ("bench") whose n_subjects (1 ..
 * DEMO_GEN_MAX_SUBJECTS) are spread over built-in collections of the four
 * cancers, studies_per_subject (1..20) studies each on average. Returns new
 * or NULL with err set. */
struct demo_spec *demo_gen_bench(const struct vocab *v, uint64_t n_subjects, uint64_t seed,
                                 double studies_per_subject, char *err, size_t errlen);
void demo_gen_free(struct demo_spec **spec);

/* Sizes of a spec, for progress and messages. */
size_t demo_gen_n_sites(const struct demo_spec *spec);
/* Borrowed id of site i (< demo_gen_n_sites). */
const char *demo_gen_site_id(const struct demo_spec *spec, size_t i);
uint64_t demo_gen_total_subjects(const struct demo_spec *spec);

/* Writes site i's store to path, which must not exist; on failure nothing is
 * left at path. Each collection gets one or two synthetic DICOM previews of
 * its main modalities (demo/phantom.h), listed in its item; benchmark specs
 * (demo_gen_bench) get none. If items is not NULL each collection's catalogue item is
 * appended to it (new references owned by the array). progress may be NULL.
 * Returns 0 or -1 with err set. */
int demo_gen_site(const struct demo_spec *spec, size_t i, const char *path, json_t *items,
                  demo_progress_fn progress, void *arg, char *err, size_t errlen);
/* Writes dir/site-<id>.db for every site and dir/catalogue.db (meta source
 * "demo", synthetic "1"). dir must exist and hold none of these files.
 * Returns 0 or -1 with err set. */
int demo_gen_federation(const struct demo_spec *spec, const char *dir, demo_progress_fn progress,
                        void *arg, char *err, size_t errlen);

#endif
