/* simtune's own declarations of the QEMU TCG plugin C API, version 1 (QEMU 7.2).
 *
 * Debian's qemu-user exports the plugin API from its executables but ships no qemu-plugin.h, so
 * the plugin declares the few documented functions and types it uses. Only those: every
 * declaration here must match the ABI of QEMU 7.2's public plugin header, so keep the list short
 * and add a function only together with a look at its documented signature.
 *
 * The loader refuses a plugin without the exported data symbol `qemu_plugin_version` or with a
 * version newer than its own; it calls the exported `qemu_plugin_install` once after dlopen.
 */
#ifndef SIMTUNE_QEMU_PLUGIN_API_H
#define SIMTUNE_QEMU_PLUGIN_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIMTUNE_QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
/* The API version this header describes (QEMU 7.2 accepts 0..1). */
#define SIMTUNE_QEMU_PLUGIN_API_VERSION 1

typedef uint64_t qemu_plugin_id_t;
/* Packed description of one memory access: size, sign, endianness, store flag. */
typedef uint32_t qemu_plugin_meminfo_t;

/* What QEMU tells a plugin about itself when installing it. */
typedef struct qemu_info_t {
    const char *target_name; /* "x86_64", "aarch64", "riscv64", ... */
    struct {
        int min;
        int cur;
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus;
            int max_vcpus;
        } system;
    };
} qemu_info_t;

/* Opaque handles valid only inside the translation callback. */
struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags {
    QEMU_PLUGIN_CB_NO_REGS,
    QEMU_PLUGIN_CB_R_REGS,
    QEMU_PLUGIN_CB_RW_REGS,
};

enum qemu_plugin_mem_rw {
    QEMU_PLUGIN_MEM_R = 1,
    QEMU_PLUGIN_MEM_W,
    QEMU_PLUGIN_MEM_RW,
};

enum qemu_plugin_op {
    QEMU_PLUGIN_INLINE_ADD_U64,
};

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
                                          uint64_t vaddr, void *userdata);

/* Implemented by the plugin. */
SIMTUNE_QEMU_PLUGIN_EXPORT extern int qemu_plugin_version;
SIMTUNE_QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                   int argc, char **argv);

/* Implemented by QEMU. */
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
/* Flushes every translated block and unregisters all of the plugin's callbacks (the translation
 * and exit callbacks too), then calls `cb(id, NULL)`, in which the plugin registers again. From a
 * vCPU callback the work is queued: it runs once the vCPU leaves its current block. */
void qemu_plugin_reset(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb);

/* Only inside the translation callback: instrument the block being translated. */
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
                                              void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw,
                                      void *userdata);

size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);

const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);

unsigned int qemu_plugin_mem_size_shift(qemu_plugin_meminfo_t info);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);

#ifdef __cplusplus
}
#endif

#endif /* SIMTUNE_QEMU_PLUGIN_API_H */
