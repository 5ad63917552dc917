    # --- helpers: every QMP result and every tool run is checked

    def tearDown(self):
        for name, vm in self.vm.items():
            if name in self.frozen:
                os.kill(vm.get_pid(), signal.SIGCONT)
            vm.kill()
        for f in (disk, mig_sock):
            if os.path.exists(f):
                os.remove(f)

    def launch(self, name, incoming=False, read_only=False, layer=None):
        """A QEMU on the image; layer: the -blockdev JSON of a blkdebug node between drive0 and file0 (a full volume's
        ENOSPC rules, which a vmstate read switches: block/blkdebug.c, block/qcow2.c qcow2_load_vmstate)."""
        ro = ',read-only=on' if read_only else ''
        vm = iotests.VM(path_suffix=name)
        vm.add_blockdev(f'driver=file,filename={disk},node-name=file0{ro}')
        if layer:
            vm.add_blockdev(layer)
        file = json.loads(layer)['node-name'] if layer else 'file0'
        vm.add_blockdev(f'driver=qcow2,file={file},node-name=drive0{ro}')
        if incoming:
            vm.add_incoming(f'unix:{mig_sock}')
        vm.launch()
        self.vm[name] = vm

    def ok(self, name, command, args=None):
        result = self.vm[name].qmp(command, args_dict=args)
        self.assertIn('return', result, f'{name}: {command} {args}: {result}')
        return result['return']

    def attempt(self, name, command, args, error):
        """A command that fails on today's QEMU (a failed reactivation). Where QEMU refuses it, the error must be
        the model's text; a QEMU that accepts it (one without the bug) is judged by the assertion that follows."""
        result = self.vm[name].qmp(command, args_dict=args)
        if 'error' in result:
            self.assertEqual(result['error'].get('desc'), error, f'{name}: {command} {args}: {result}')
            self.failed.append(f"{command} on the {name} failed with '{error}'")
        else:
            self.assertIn('return', result, f'{name}: {command} {args}: {result}')

    def hmp_qemu_io(self, name, drive, command):
        """A guest write, a flush or a vmstate read through HMP qemu-io. Its report ('wrote ...' or an error) goes to
        QEMU's own stdout (qemu-io-cmds.c printf), not to the monitor, so only the QMP result can be checked here."""
        self.ok(name, 'human-monitor-command', {'command-line': f'qemu-io {drive} "{command}"'})

    def image_write(self, *args):
        """A bitmap-aware writer on the image: qemu-io, which loads, updates and stores the bitmaps."""
        out = qemu_io(*args).stdout
        self.assertIn('wrote', out, f'qemu-io {args}: {out}')

    def lock_probe(self):
        """A bitmap-unaware writer that honours the image lock: no QEMU may hold it."""
        qemu_img('info', disk)

    def clear_autoclear_bit0(self):
        """What a bitmap-unaware writer does to the header: autoclear feature bit 0 (byte 95) off."""
        with open(disk, 'r+b') as f:
            f.seek(95)
            byte = f.read(1)[0]
            f.seek(95)
            f.write(bytes([byte & 0xfe]))

    def signal(self, name, sig):
        os.kill(self.vm[name].get_pid(), sig)
        if sig == signal.SIGSTOP:
            self.frozen.add(name)
        else:
            self.frozen.discard(name)

    def wait_migration_state(self, name, state):
        """Waits for the MIGRATION event (capability 'events') with this state, or an end state."""
        vm = self.vm[name]
        vm.get_qmp_events(wait=False)
        status = self.ok(name, 'query-migrate').get('status')
        while status != state and status not in ('completed', 'failed', 'cancelled'):
            status = vm.event_wait('MIGRATION', timeout=15.0)['data']['status']
        self.assertEqual(status, state, f'{name}: migration')

    def wait_unlocked(self):
        """The paused source proceeds, sends the rest and inactivates: its image lock goes."""
        deadline = time.monotonic() + 10
        while qemu_img('info', disk, check=False).returncode != 0:
            self.assertLess(time.monotonic(), deadline, 'the source did not inactivate')
            time.sleep(0.005)

    def wait_target_lists(self, names):
        """The target handles the bitmaps' START records by itself: wait until it lists them."""
        deadline = time.monotonic() + 5
        while not all(self.bitmap('target', n) for n in names):
            self.assertLess(time.monotonic(), deadline, f'the target does not list {names}')
            time.sleep(0.01)

    def wait_exit(self, name):
        """A QEMU that leaves by itself (an incoming migration that broke)."""
        self.vm.pop(name).wait(timeout=10)

    def bitmap(self, name, bitmap):
        for node in self.ok(name, 'query-named-block-nodes', {'flat': True}):
            if node['node-name'] == 'drive0':
                for bm in node.get('dirty-bitmaps', []):
                    if bm.get('name') == bitmap:
                        return bm
        return None

    # --- the invariants, as the correct behaviour

    def assert_reports(self, name, bitmap, clusters, step):
        """NoUnderReport: a usable bitmap reports every cluster written while it recorded."""
        bm = self.bitmap(name, bitmap)
        if bm is None or bm.get('inconsistent', False):
            return  # no usable copy, so none that under-reports
        granules = {c * CLUSTER // bm['granularity'] for c in clusters}
        self.assertGreaterEqual(
            bm['count'], len(granules) * bm['granularity'],
            f"NoUnderReport: after step {step} bitmap '{bitmap}' on the {name} counts {bm['count']} dirty bytes, "
            f"but clusters {clusters} ({CLUSTER} bytes each) were written while it recorded")

    def assert_has_disk(self, name, step):
        """NoLostDisk: a QEMU keeps its disk; a reactivation that fails must not leave the node without a medium
        (block/qapi.c lists a node without a driver as 'Block device drive0 is ejected')."""
        result = self.vm[name].qmp('query-named-block-nodes', flat=True)
        nodes = [n['node-name'] for n in result.get('return', [])]
        self.assertIn('drive0', nodes,
                      f"NoLostDisk: after step {step} the {name} QEMU lost its disk "
                      f"(query-named-block-nodes: {result.get('error', {}).get('desc', nodes)}); "
                      f"{'; '.join(self.failed) or 'no command failed'}")

    def assert_not_lost(self, bitmap, step):
        """NoSilentLoss: a persistent bitmap stays in RAM or on the image unless the user can see why not."""
        in_ram = False
        for name in self.vm:
            if name in self.frozen or self.ok(name, 'query-status')['status'] == 'inmigrate':
                continue
            bm = self.bitmap(name, bitmap)
            in_ram = in_ram or (bm is not None and bm['persistent'] and not bm.get('inconsistent', False))
        info = qemu_img_info('-U', disk)
        entries = info.get('format-specific', {}).get('data', {}).get('bitmaps', [])
        stored = [e for e in entries if e['name'] == bitmap and 'in-use' not in e['flags']]
        self.assertTrue(in_ram or stored,
                        f"NoSilentLoss: after step {step} persistent bitmap '{bitmap}' is neither in a running "
                        f"QEMU's RAM nor stored consistently on the image (entries: {entries})")
