/* An application that installs its own bundled driver file through the service control
 * manager, as inpout32.dll and WinIo do: OpenSCManager, CreateService (kernel driver,
 * image path in the application's folder), StartService, then CreateFile and IOCTLs.
 * The "driver" it ships here is not a driver at all (a copy of this program): only the
 * iotrap builtin of the same name can make StartService succeed and the IOCTLs work.
 *
 * With the argument "alone" it first stops the iotrap service (which `iotrap wine`
 * starts with every session and which owns the devices), so that the devices are served
 * by the builtin loaded for the application's file: for a 32-bit file, services.exe
 * starts it in the 32-bit winedevice.exe. */
#include "common.h"

#define IOCTL_READ_PORT_UCHAR 0x9C402004
#define IOCTL_WRITE_PORT_UCHAR 0x9C402008

/* Stops the iotrap service and checks that its devices are gone with it. */
static void stop_iotrap(SC_HANDLE scm)
{
    SC_HANDLE svc = OpenServiceA(scm, "iotrap", SERVICE_STOP | SERVICE_QUERY_STATUS);
    CHECK(svc != NULL, "OpenService(iotrap) (error %lu)", svc ? 0 : GetLastError());
    if (!svc)
        return;
    SERVICE_STATUS ss;
    ControlService(svc, SERVICE_CONTROL_STOP, &ss);
    for (int i = 0; i < 100 && QueryServiceStatus(svc, &ss) && ss.dwCurrentState != SERVICE_STOPPED;
         i++)
        Sleep(50);
    CHECK(ss.dwCurrentState == SERVICE_STOPPED, "the iotrap service stops (state %lu)",
          ss.dwCurrentState);
    CloseServiceHandle(svc);
    const char *dev = "\\\\.\\inpout32";
    HANDLE h = CreateFileA(dev, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(h == INVALID_HANDLE_VALUE, "%s is gone with it (error %lu)", dev,
          h == INVALID_HANDLE_VALUE ? GetLastError() : 0);
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
}

int main(int argc, char **argv)
{
    const char *name = sizeof(void *) == 8 ? "inpoutx64" : "inpout32";
    char self[MAX_PATH], sys[MAX_PATH];
    GetModuleFileNameA(NULL, self, sizeof(self));
    GetTempPathA(sizeof(sys), sys);
    lstrcatA(sys, name);
    lstrcatA(sys, ".sys");
    CHECK(CopyFileA(self, sys, FALSE), "the application writes its driver file %s", sys);

    SC_HANDLE scm = OpenSCManagerA(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    CHECK(scm != NULL, "OpenSCManager (error %lu)", scm ? 0 : GetLastError());
    if (!scm)
        return finish();
    if (argc > 1 && lstrcmpA(argv[1], "alone") == 0)
        stop_iotrap(scm);
    SC_HANDLE svc = CreateServiceA(scm, name, name, SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                   SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, sys, NULL, NULL,
                                   NULL, NULL, NULL);
    if (!svc && GetLastError() == ERROR_SERVICE_EXISTS)
        svc = OpenServiceA(scm, name, SERVICE_ALL_ACCESS);
    CHECK(svc != NULL, "CreateService(%s, SERVICE_KERNEL_DRIVER) (error %lu)", name,
          svc ? 0 : GetLastError());
    if (!svc)
        return finish();
    BOOL started = StartServiceA(svc, 0, NULL);
    DWORD err = started ? 0 : GetLastError();
    CHECK(started || err == ERROR_SERVICE_ALREADY_RUNNING, "StartService (error %lu)", err);
    SERVICE_STATUS ss;
    CHECK(QueryServiceStatus(svc, &ss) && ss.dwCurrentState == SERVICE_RUNNING,
          "the service runs (state %lu)", ss.dwCurrentState);

    char dev[64];
    wsprintfA(dev, "\\\\.\\%s", name);
    HANDLE h = CreateFileA(dev, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    CHECK(h != INVALID_HANDLE_VALUE, "CreateFile(%s) (error %lu)", dev,
          h == INVALID_HANDLE_VALUE ? GetLastError() : 0);
    if (h != INVALID_HANDLE_VALUE) {
        UCHAR w[3] = { 0x78, 0x03, 0x96 };
        DWORD n;
        CHECK(DeviceIoControl(h, IOCTL_WRITE_PORT_UCHAR, w, 3, NULL, 0, &n, NULL),
              "IOCTL_WRITE_PORT_UCHAR 0x378 <- 0x96");
        USHORT port = 0x378;
        UCHAR v = 0;
        CHECK(DeviceIoControl(h, IOCTL_READ_PORT_UCHAR, &port, 2, &v, 1, &n, NULL) && v == 0x96 &&
              n == 1, "IOCTL_READ_PORT_UCHAR 0x378 -> 0x%02x (%lu byte)", v, n);
        CHECK(raw_inb(0x378) == 0x96, "a raw IN reads what the driver wrote");
        SetLastError(0);
        CHECK(!DeviceIoControl(h, 0x9C402024, &port, 2, &v, 1, &n, NULL),
              "an unknown IOCTL fails (error %lu)", GetLastError());
        CloseHandle(h);
    }
    ControlService(svc, SERVICE_CONTROL_STOP, &ss);
    CHECK(DeleteService(svc), "DeleteService");
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    DeleteFileA(sys);
    return finish();
}
