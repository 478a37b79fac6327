/* The iotrap builtin driver's frame: devices, symbolic links, IRP dispatch.
 *
 * The same image is installed under every name an application may load a port driver
 * by (giveio.sys, inpoutx64.sys, winio64.sys, ...) and as iotrap.sys, which `iotrap wine
 * --setup` registers as an auto-start service.  Whichever instance winedevice.exe loads
 * first creates the devices; an instance that finds a device name taken leaves it to the
 * owner, so an application that installs and starts its own bundled driver through the
 * service control manager gets a running service and talks to the existing devices. */
#include <stdarg.h>

#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"
#include "winioctl.h"
#include "ddk/wdm.h"

#include "wine-dll/driver.h"
#include "wine-dll/pe_port.h"

struct device_ext {
    enum iotrap_dev_kind kind;
    UNICODE_STRING link;
};

static const struct {
    const WCHAR *name;
    const WCHAR *link;
    enum iotrap_dev_kind kind;
} devices[] = {
    { L"\\Device\\giveio", L"\\DosDevices\\giveio", IOTRAP_DEV_GIVEIO },
    { L"\\Device\\PortTalk", L"\\DosDevices\\PortTalk", IOTRAP_DEV_PORTTALK },
    { L"\\Device\\ioperm", L"\\DosDevices\\ioperm", IOTRAP_DEV_IOPERM },
    { L"\\Device\\inpout32", L"\\DosDevices\\inpout32", IOTRAP_DEV_INPOUT },
    { L"\\Device\\inpoutx64", L"\\DosDevices\\inpoutx64", IOTRAP_DEV_INPOUT },
    { L"\\Device\\hwinterface", L"\\DosDevices\\hwinterface", IOTRAP_DEV_INPOUT },
    { L"\\Device\\hwinterfacex64", L"\\DosDevices\\hwinterfacex64", IOTRAP_DEV_INPOUT },
    { L"\\Device\\WinIo", L"\\DosDevices\\WINIO", IOTRAP_DEV_WINIO },
    { L"\\Device\\dlportio", L"\\DosDevices\\dlportio", IOTRAP_DEV_DLPORTIO },
};

static NTSTATUS complete(IRP *irp, NTSTATUS status, ULONG_PTR info)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = NT_SUCCESS(status) ? info : 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static ULONG client_pid(void)
{
    /* In a request, Wine's ntoskrnl answers with the process that sent it. */
    return HandleToUlong(PsGetCurrentProcessId());
}

static NTSTATUS WINAPI dispatch_create(DEVICE_OBJECT *device, IRP *irp)
{
    struct device_ext *ext = device->DeviceExtension;
    return complete(irp, iotrap_dev_create(ext->kind, client_pid()), 0);
}

static NTSTATUS WINAPI dispatch_close(DEVICE_OBJECT *device, IRP *irp)
{
    return complete(irp, STATUS_SUCCESS, 0);
}

static NTSTATUS WINAPI dispatch_ioctl(DEVICE_OBJECT *device, IRP *irp)
{
    struct device_ext *ext = device->DeviceExtension;
    IO_STACK_LOCATION *stack = IoGetCurrentIrpStackLocation(irp);
    struct iotrap_ioctl io;
    io.code = stack->Parameters.DeviceIoControl.IoControlCode;
    io.buf = irp->AssociatedIrp.SystemBuffer;
    io.in_len = io.buf ? stack->Parameters.DeviceIoControl.InputBufferLength : 0;
    io.out_len = io.buf ? stack->Parameters.DeviceIoControl.OutputBufferLength : 0;
    io.client = client_pid();
    io.info = 0;
    NTSTATUS status = iotrap_dev_ioctl(ext->kind, &io);
    return complete(irp, status, io.info);
}

static void WINAPI driver_unload(DRIVER_OBJECT *driver)
{
    DEVICE_OBJECT *device = driver->DeviceObject;
    while (device) {
        DEVICE_OBJECT *next = device->NextDevice;
        struct device_ext *ext = device->DeviceExtension;
        IoDeleteSymbolicLink(&ext->link);
        IoDeleteDevice(device);
        device = next;
    }
}

NTSTATUS WINAPI DriverEntry(DRIVER_OBJECT *driver, UNICODE_STRING *registry)
{
    if (!iotrap_pe_init())
        return STATUS_DEVICE_NOT_READY;
    driver->MajorFunction[IRP_MJ_CREATE] = dispatch_create;
    driver->MajorFunction[IRP_MJ_CLOSE] = dispatch_close;
    driver->MajorFunction[IRP_MJ_CLEANUP] = dispatch_close;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = dispatch_ioctl;
    driver->DriverUnload = driver_unload;

    for (unsigned i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        UNICODE_STRING name;
        DEVICE_OBJECT *device;
        RtlInitUnicodeString(&name, devices[i].name);
        NTSTATUS status = IoCreateDevice(driver, sizeof(struct device_ext), &name,
                                         FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
        if (status == STATUS_OBJECT_NAME_COLLISION)
            continue;   /* another instance serves it */
        if (!NT_SUCCESS(status)) {
            driver_unload(driver);
            return status;
        }
        struct device_ext *ext = device->DeviceExtension;
        ext->kind = devices[i].kind;
        RtlInitUnicodeString(&ext->link, devices[i].link);
        status = IoCreateSymbolicLink(&ext->link, &name);
        if (!NT_SUCCESS(status)) {
            IoDeleteDevice(device);
            driver_unload(driver);
            return status;
        }
        device->Flags &= ~DO_DEVICE_INITIALIZING;
    }
    return STATUS_SUCCESS;
}
