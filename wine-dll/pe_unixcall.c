/* Wine's libwinecrt0.a binds a builtin to its Unix side.  The 32-bit PE side is linked
 * with mingw-w64's own runtime when Wine's i386 development files (libwine-dev:i386) are
 * not installed, so it carries this equivalent of Wine 8's __wine_init_unix_call: ask
 * ntdll for the module's Unix library handle (NtQueryVirtualMemory with Wine's
 * MemoryWineUnixFuncs class) and take the dispatcher ntdll exports. */
#include <stdarg.h>

#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"

typedef UINT64 unixlib_handle_t;

#define WINE_MEMORY_UNIX_FUNCS 1000 /* MemoryWineUnixFuncs */

NTSTATUS WINAPI NtQueryVirtualMemory(HANDLE process, LPCVOID addr, ULONG info_class, PVOID info,
                                     SIZE_T len, SIZE_T *res_len);
NTSTATUS WINAPI __wine_init_unix_call(void);

extern IMAGE_DOS_HEADER __ImageBase;

static NTSTATUS WINAPI unix_call_unavailable(unixlib_handle_t handle, unsigned int code, void *args)
{
    return STATUS_DLL_NOT_FOUND;
}

unixlib_handle_t __wine_unixlib_handle;
NTSTATUS (WINAPI *__wine_unix_call_dispatcher)(unixlib_handle_t, unsigned int, void *) =
    unix_call_unavailable;

NTSTATUS WINAPI __wine_init_unix_call(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    void **dispatcher = ntdll ? (void **)GetProcAddress(ntdll, "__wine_unix_call_dispatcher") : NULL;
    if (!dispatcher)
        return STATUS_DLL_NOT_FOUND;
    NTSTATUS status = NtQueryVirtualMemory(GetCurrentProcess(), &__ImageBase,
                                           WINE_MEMORY_UNIX_FUNCS, &__wine_unixlib_handle,
                                           sizeof(__wine_unixlib_handle), NULL);
    if (!status)
        __wine_unix_call_dispatcher = *dispatcher;
    return status;
}
