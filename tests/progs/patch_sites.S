/* Port-I/O sites for io_patch.c, with exactly the instructions after each IN that a
 * hot-site patch moves into its trampoline (shim/patch.h).  The labels *_site mark the
 * IN; the others mark instructions inside the patched region.  x86-64 SysV and i386
 * cdecl. */
	.text
#if defined(__x86_64__)

/* uint32_t ps_sum(uint16_t port, uint32_t n): n reads of the port, summed.  Region: IN,
 * MOVZX, ADD (7 bytes, instructions at +1 and +4). */
	.globl ps_sum, ps_sum_site
ps_sum:
	mov %edi, %edx
	xor %r8d, %r8d
ps_sum_site:
	in (%dx), %al
	movzbl %al, %eax
	add %eax, %r8d
	dec %esi
	jnz ps_sum_site
	mov %r8d, %eax
	ret

/* uint32_t ps_into(uint16_t port, int skip): the port's value + 3, or 3 when skip jumps
 * straight to the instruction after the IN. */
	.globl ps_into, ps_into_site, ps_into_after
ps_into:
	mov %edi, %edx
	xor %eax, %eax
	test %esi, %esi
	jnz ps_into_after
ps_into_site:
	in (%dx), %al
ps_into_after:
	add $1, %eax
	add $2, %eax
	ret

/* uint32_t ps_loop(uint16_t port, uint32_t n): n reads summed, with the loop's own
 * DEC and JNZ inside the region (the JNZ is moved and becomes a rel32 Jcc). */
	.globl ps_loop, ps_loop_site
ps_loop:
	mov %edi, %edx
	xor %ecx, %ecx
	xor %eax, %eax
1:	add %eax, %ecx
ps_loop_site:
	in (%dx), %al
	dec %esi
	jnz 1b
	add %eax, %ecx
	mov %ecx, %eax
	ret

/* uint32_t ps_rip(uint16_t port): a RIP-relative store with an immediate after the IN
 * (its displacement is adjusted when it moves), then the value through ps_cell. */
	.globl ps_rip, ps_rip_site, ps_flag, ps_cell
ps_rip:
	mov %edi, %edx
ps_rip_site:
	in (%dx), %al
	movb $0x42, ps_flag(%rip)
	mov %al, ps_cell(%rip)
	movzbl ps_cell(%rip), %eax
	ret

/* void ps_store(uint8_t *dst, uint16_t port): dst[0] = dst[1] = the port's value. */
	.globl ps_store, ps_store_site, ps_store_fault
ps_store:
	mov %esi, %edx
ps_store_site:
	in (%dx), %al
ps_store_fault:
	mov %al, (%rdi)
	mov %al, 1(%rdi)
	ret

/* void ps_regs(struct snap *s, uint16_t port): sets every general register, the
 * flags (CF, DF), the red zone and xmm0-15 to patterns, runs IN AL, DX and stores what
 * they hold afterwards: rax rbx flags rcx rdx rsi rbp r8..r15 redzone, then xmm0-15. */
	.globl ps_regs, ps_regs_site
ps_regs:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %esi, %edx
	lea ps_pattern(%rip), %rax
	movdqu 0(%rax), %xmm0
	movdqu 16(%rax), %xmm1
	movdqu 32(%rax), %xmm2
	movdqu 48(%rax), %xmm3
	movdqu 64(%rax), %xmm4
	movdqu 80(%rax), %xmm5
	movdqu 96(%rax), %xmm6
	movdqu 112(%rax), %xmm7
	movdqu 128(%rax), %xmm8
	movdqu 144(%rax), %xmm9
	movdqu 160(%rax), %xmm10
	movdqu 176(%rax), %xmm11
	movdqu 192(%rax), %xmm12
	movdqu 208(%rax), %xmm13
	movdqu 224(%rax), %xmm14
	movdqu 240(%rax), %xmm15
	movabs $0x1111111111111111, %rbx
	movabs $0x2222222222222222, %rbp
	movabs $0x3333333333333333, %rcx
	movabs $0x4444444444444444, %rsi
	movabs $0x0808080808080808, %r8
	movabs $0x0909090909090909, %r9
	movabs $0x1010101010101010, %r10
	movabs $0x1212121212121212, %r11
	movabs $0x1313131313131313, %r12
	movabs $0x1414141414141414, %r13
	movabs $0x1515151515151515, %r14
	movabs $0x1616161616161616, %r15
	movabs $0x5a5a5a5a5a5a5a5a, %rax
	mov %rax, -8(%rsp)
	movabs $0x8877665544332211, %rax
	cmp %rax, %rax		/* every status flag defined */
	std
	stc
ps_regs_site:
	in (%dx), %al
	mov %rax, 0(%rdi)
	mov %rbx, 8(%rdi)
	mov -8(%rsp), %rax
	mov %rax, 136(%rdi)
	pushfq
	pop %rax
	mov %rax, 16(%rdi)
	cld
	mov %rcx, 24(%rdi)
	mov %rdx, 32(%rdi)
	mov %rsi, 40(%rdi)
	mov %rbp, 48(%rdi)
	mov %r8, 56(%rdi)
	mov %r9, 64(%rdi)
	mov %r10, 72(%rdi)
	mov %r11, 80(%rdi)
	mov %r12, 88(%rdi)
	mov %r13, 96(%rdi)
	mov %r14, 104(%rdi)
	mov %r15, 112(%rdi)
	movdqu %xmm0, 144(%rdi)
	movdqu %xmm1, 160(%rdi)
	movdqu %xmm2, 176(%rdi)
	movdqu %xmm3, 192(%rdi)
	movdqu %xmm4, 208(%rdi)
	movdqu %xmm5, 224(%rdi)
	movdqu %xmm6, 240(%rdi)
	movdqu %xmm7, 256(%rdi)
	movdqu %xmm8, 272(%rdi)
	movdqu %xmm9, 288(%rdi)
	movdqu %xmm10, 304(%rdi)
	movdqu %xmm11, 320(%rdi)
	movdqu %xmm12, 336(%rdi)
	movdqu %xmm13, 352(%rdi)
	movdqu %xmm14, 368(%rdi)
	movdqu %xmm15, 384(%rdi)
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

/* void ps_ymm(uint8_t out[520], uint16_t port): ymm0-15 set from ps_pattern (512 bytes),
 * IN AL, DX, then out[512] = the value and out[0..511] = ymm0-15.  Needs AVX. */
	.globl ps_ymm, ps_ymm_site
ps_ymm:
	mov %esi, %edx
	lea ps_pattern(%rip), %rax
	vmovdqu 0(%rax), %ymm0
	vmovdqu 32(%rax), %ymm1
	vmovdqu 64(%rax), %ymm2
	vmovdqu 96(%rax), %ymm3
	vmovdqu 128(%rax), %ymm4
	vmovdqu 160(%rax), %ymm5
	vmovdqu 192(%rax), %ymm6
	vmovdqu 224(%rax), %ymm7
	vmovdqu 256(%rax), %ymm8
	vmovdqu 288(%rax), %ymm9
	vmovdqu 320(%rax), %ymm10
	vmovdqu 352(%rax), %ymm11
	vmovdqu 384(%rax), %ymm12
	vmovdqu 416(%rax), %ymm13
	vmovdqu 448(%rax), %ymm14
	vmovdqu 480(%rax), %ymm15
ps_ymm_site:
	in (%dx), %al
	mov %al, 512(%rdi)
	vmovdqu %ymm0, 0(%rdi)
	vmovdqu %ymm1, 32(%rdi)
	vmovdqu %ymm2, 64(%rdi)
	vmovdqu %ymm3, 96(%rdi)
	vmovdqu %ymm4, 128(%rdi)
	vmovdqu %ymm5, 160(%rdi)
	vmovdqu %ymm6, 192(%rdi)
	vmovdqu %ymm7, 224(%rdi)
	vmovdqu %ymm8, 256(%rdi)
	vmovdqu %ymm9, 288(%rdi)
	vmovdqu %ymm10, 320(%rdi)
	vmovdqu %ymm11, 352(%rdi)
	vmovdqu %ymm12, 384(%rdi)
	vmovdqu %ymm13, 416(%rdi)
	vmovdqu %ymm14, 448(%rdi)
	vmovdqu %ymm15, 480(%rdi)
	vzeroupper
	ret

/* uint32_t ps_xstate(const void *in, void *before, void *after, uint32_t port,
 *                    uint32_t mask): loads the components `mask` of the extended state
 * from `in` (XRSTOR), saves them to `before`, runs IN AL, DX and saves them to `after`;
 * returns EAX with the value read in AL.  The areas are 64-byte aligned.  Region: IN,
 * MOV, XOR (6 bytes).  xstate_enter, shared with ps_xstate_out, does all but the IN:
 * R9 = after, R8D = mask and EDX = the fourth argument after it. */
	.macro xstate_enter
	mov %rdx, %r9
	mov %ecx, %r10d
	mov %r8d, %eax
	xor %edx, %edx
	xrstor64 (%rdi)
	xsave64 (%rsi)
	mov %r10d, %edx
	.endm

	.globl ps_xstate, ps_xstate_site
ps_xstate:
	xstate_enter
ps_xstate_site:
	in (%dx), %al
	mov %r8d, %ecx
	xor %edx, %edx
	xchg %eax, %ecx
	xsave64 (%r9)
	mov %ecx, %eax
	ret

/* void ps_xstate_out(const void *in, void *before, void *after, uint32_t port_value,
 *                    uint32_t mask): as ps_xstate, for OUT DX, AL of the value in bits
 * 16-23 of port_value to the port in its low 16 bits.  Region: OUT, MOV, XOR (6 bytes). */
	.globl ps_xstate_out, ps_xstate_out_site
ps_xstate_out:
	xstate_enter
	mov %r10d, %eax
	shr $16, %eax
ps_xstate_out_site:
	out %al, (%dx)
	mov %r8d, %eax
	xor %edx, %edx
	xsave64 (%r9)
	ret

#else /* i386 */

	.globl ps_sum, ps_sum_site
ps_sum:
	push %ebx
	mov 8(%esp), %edx
	mov 12(%esp), %ecx
	xor %ebx, %ebx
ps_sum_site:
	in (%dx), %al
	movzbl %al, %eax
	add %eax, %ebx
	dec %ecx
	jnz ps_sum_site
	mov %ebx, %eax
	pop %ebx
	ret

	.globl ps_into, ps_into_site, ps_into_after
ps_into:
	mov 4(%esp), %edx
	mov 8(%esp), %ecx
	xor %eax, %eax
	test %ecx, %ecx
	jnz ps_into_after
ps_into_site:
	in (%dx), %al
ps_into_after:
	add $1, %eax
	add $2, %eax
	ret

	.globl ps_loop, ps_loop_site
ps_loop:
	push %esi
	push %ebx
	mov 12(%esp), %edx
	mov 16(%esp), %esi
	xor %ebx, %ebx
	xor %eax, %eax
1:	add %eax, %ebx
ps_loop_site:
	in (%dx), %al
	dec %esi
	jnz 1b
	add %eax, %ebx
	mov %ebx, %eax
	pop %ebx
	pop %esi
	ret

	.globl ps_store, ps_store_site, ps_store_fault
ps_store:
	mov 4(%esp), %ecx
	mov 8(%esp), %edx
ps_store_site:
	in (%dx), %al
ps_store_fault:
	mov %al, (%ecx)
	mov %al, 1(%ecx)
	ret

/* void ps_regs(struct snap *s, uint16_t port): eax ebx eflags ecx edx esi ebp, then
 * xmm0-7 at offset 32. */
	.globl ps_regs, ps_regs_site
ps_regs:
	push %ebx
	push %ebp
	push %esi
	push %edi
	mov 20(%esp), %edi
	mov 24(%esp), %edx
	call 1f
1:	pop %eax
	movdqu (ps_pattern - 1b)(%eax), %xmm0
	movdqu (ps_pattern - 1b + 16)(%eax), %xmm1
	movdqu (ps_pattern - 1b + 32)(%eax), %xmm2
	movdqu (ps_pattern - 1b + 48)(%eax), %xmm3
	movdqu (ps_pattern - 1b + 64)(%eax), %xmm4
	movdqu (ps_pattern - 1b + 80)(%eax), %xmm5
	movdqu (ps_pattern - 1b + 96)(%eax), %xmm6
	movdqu (ps_pattern - 1b + 112)(%eax), %xmm7
	mov $0x11111111, %ebx
	mov $0x22222222, %ebp
	mov $0x33333333, %ecx
	mov $0x44444444, %esi
	mov $0x88776655, %eax
	cmp %eax, %eax		/* every status flag defined */
	std
	stc
ps_regs_site:
	in (%dx), %al
	mov %eax, 0(%edi)
	mov %ebx, 4(%edi)
	pushf
	pop %eax
	mov %eax, 8(%edi)
	cld
	mov %ecx, 12(%edi)
	mov %edx, 16(%edi)
	mov %esi, 20(%edi)
	mov %ebp, 24(%edi)
	movdqu %xmm0, 32(%edi)
	movdqu %xmm1, 48(%edi)
	movdqu %xmm2, 64(%edi)
	movdqu %xmm3, 80(%edi)
	movdqu %xmm4, 96(%edi)
	movdqu %xmm5, 112(%edi)
	movdqu %xmm6, 128(%edi)
	movdqu %xmm7, 144(%edi)
	pop %edi
	pop %esi
	pop %ebp
	pop %ebx
	ret

/* The start of ps_xstate and ps_xstate_out: saves EBX, ESI and EDI, loads the
 * components `mask` from `in` (XRSTOR) and saves them to `before`; leaves EBX = after,
 * ECX = mask and EDX = the fourth argument. */
	.macro xstate_enter
	push %ebx
	push %esi
	push %edi
	mov 16(%esp), %edi
	mov 20(%esp), %esi
	mov 24(%esp), %ebx
	mov 32(%esp), %ecx
	mov %ecx, %eax
	xor %edx, %edx
	xrstor (%edi)
	xsave (%esi)
	mov 28(%esp), %edx
	.endm

/* uint32_t ps_xstate(const void *in, void *before, void *after, uint32_t port,
 *                    uint32_t mask): as on x86-64.  Region: IN, MOV, XOR (5 bytes). */
	.globl ps_xstate, ps_xstate_site
ps_xstate:
	xstate_enter
ps_xstate_site:
	in (%dx), %al
	mov %ecx, %edi
	xor %edx, %edx
	xchg %eax, %edi
	xsave (%ebx)
	mov %edi, %eax
	pop %edi
	pop %esi
	pop %ebx
	ret

/* void ps_xstate_out(const void *in, void *before, void *after, uint32_t port_value,
 *                    uint32_t mask): as on x86-64.  Region: OUT, MOV, XOR (5 bytes). */
	.globl ps_xstate_out, ps_xstate_out_site
ps_xstate_out:
	xstate_enter
	mov %edx, %eax
	shr $16, %eax
ps_xstate_out_site:
	out %al, (%dx)
	mov %ecx, %eax
	xor %edx, %edx
	xsave (%ebx)
	pop %edi
	pop %esi
	pop %ebx
	ret

#endif

#if defined(__x86_64__)
	.data
ps_flag:
	.byte 0
ps_cell:
	.byte 0
#endif

/* uintptr_t ps_inl(uint32_t port, uintptr_t ax), ps_inw(...): AX = ax (RAX or EAX), then
 * IN EAX, DX or IN AX, DX; return AX.  void ps_outl(uint32_t port, uint32_t value): OUT
 * DX, EAX.  Regions: the I/O instruction and two MOVs (5 to 8 bytes). */
#if defined(__x86_64__)
#define WIDE_ARGS mov %rsi, %rax; mov %edi, %edx
#define WIDE_AFTER mov %rax, %rcx; mov %rcx, %rax
#else
#define WIDE_ARGS mov 4(%esp), %edx; mov 8(%esp), %eax
#define WIDE_AFTER mov %eax, %ecx; mov %ecx, %eax
#endif
	.macro wide_site name, io:vararg
	.globl \name, \name\()_site
\name:
	WIDE_ARGS
\name\()_site:
	\io
	WIDE_AFTER
	ret
	.endm

	.text
	wide_site ps_inl, in (%dx), %eax
	wide_site ps_inw, in (%dx), %ax
	wide_site ps_outl, out %eax, (%dx)

/* uintptr_t ps_pair(uint32_t port, uint32_t value): OUT DX, AL of the value, then IN AL,
 * DX; returns AX.  ps_pair_in_only(port) runs the IN alone.  The OUT's region would be
 * the OUT and the IN's patch, once the IN is patched (5 or 7 bytes). */
#if defined(__x86_64__)
#define PAIR_PORT mov %edi, %edx
#define PAIR_VALUE mov %esi, %eax
#else
#define PAIR_PORT mov 4(%esp), %edx
#define PAIR_VALUE mov 8(%esp), %eax
#endif
	.globl ps_pair, ps_pair_out, ps_pair_in, ps_pair_in_only
ps_pair:
	PAIR_PORT
	PAIR_VALUE
ps_pair_out:
	out %al, (%dx)
ps_pair_in:
	in (%dx), %al
	WIDE_AFTER
	ret
ps_pair_in_only:
	PAIR_PORT
	jmp ps_pair_in

	.section .rodata
	.globl ps_pattern
	.balign 32
/* 512 bytes: byte i is (i * 7 + 3) & 0xff. */
ps_pattern:
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.byte (\i*16*7+3)&0xff, (\i*16*7+10)&0xff, (\i*16*7+17)&0xff, (\i*16*7+24)&0xff
	.byte (\i*16*7+31)&0xff, (\i*16*7+38)&0xff, (\i*16*7+45)&0xff, (\i*16*7+52)&0xff
	.byte (\i*16*7+59)&0xff, (\i*16*7+66)&0xff, (\i*16*7+73)&0xff, (\i*16*7+80)&0xff
	.byte (\i*16*7+87)&0xff, (\i*16*7+94)&0xff, (\i*16*7+101)&0xff, (\i*16*7+108)&0xff
	.endr
	.section .note.GNU-stack,"",@progbits
