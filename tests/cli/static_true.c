/* A statically linked program: `iotrap run` must warn that it cannot preload into it. */
int main(void)
{
    return 0;
}
