/* For Wine 8 only, never shipped: Rust's standard library asks
 * bcryptprimitives.dll for ProcessPrng (Windows 10+), which Wine 8 lacks.
 * This stand-in fills the buffer from advapi32's RtlGenRandom
 * (SystemFunction036), which Wine has. Built by scripts/windows-smoke.sh. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
